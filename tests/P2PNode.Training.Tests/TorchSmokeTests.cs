using TorchSharp;
using static TorchSharp.torch;

namespace P2PNode.Training.Tests;

// Proves the native libtorch really loads on this machine after bootstrap/setup.sh and can train:
// one SGD step on a tiny linear model must lower the loss on the batch it was taken on.
[Collection("torch")]
public sealed class TorchSmokeTests
{
    [Fact]
    public void OneTrainingStepLowersTheLoss()
    {
        torch.manual_seed(7);
        using var model = nn.Linear(4, 1);
        using var x = torch.randn(32, 4);
        using var y = x.sum(1, keepdim: true);
        using var opt = optim.SGD(model.parameters(), 0.1);
        float Loss() { using var _ = torch.no_grad(); using var l = nn.functional.mse_loss(model.forward(x), y); return l.item<float>(); }
        var before = Loss();
        opt.zero_grad();
        using (var loss = nn.functional.mse_loss(model.forward(x), y)) loss.backward();
        opt.step();
        var after = Loss();
        Assert.True(after < before, $"loss did not drop: {before} -> {after}");
    }
}
