using P2PNode.Training.Trainer;

namespace P2PNode.Training.Tests;

public sealed class TrainerOptionsTests
{
    [Fact]
    public void TheScheduleWarmsUpThenFollowsAHalfCosineToTheFloor()
    {
        var o = new TrainerOptions { LearningRate = 1.0, WarmupSteps = 10, ScheduleSteps = 110, FinalLearningRateFraction = 0.1 };
        Assert.Equal(0.1, o.LearningRateAt(0), 12);
        Assert.Equal(1.0, o.LearningRateAt(9), 12);
        Assert.Equal(1.0, o.LearningRateAt(10), 12);
        Assert.Equal(0.55, o.LearningRateAt(60), 12); // half-way: (1 + 0.1) / 2
        Assert.Equal(0.1, o.LearningRateAt(110), 12);
        Assert.Equal(0.1, o.LearningRateAt(10_000), 12);
        Assert.Equal(1e-3, new TrainerOptions().LearningRateAt(123_456)); // default: constant
    }

    [Fact]
    public void InvalidOptionsNameTheSetting()
    {
        Assert.Contains("learning rate", Assert.Throws<ArgumentException>(() => new TrainerOptions { LearningRate = 0 }.Validate()).Message);
        Assert.Contains("betas", Assert.Throws<ArgumentException>(() => new TrainerOptions { Beta2 = 1 }.Validate()).Message);
        Assert.Contains("schedule", Assert.Throws<ArgumentException>(() => new TrainerOptions { ScheduleSteps = 0 }.Validate()).Message);
        Assert.Contains("clip", Assert.Throws<ArgumentException>(() => new TrainerOptions { GradientClip = -1 }.Validate()).Message);
    }
}
