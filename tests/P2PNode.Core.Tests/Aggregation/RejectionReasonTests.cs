using P2PNode.Aggregation;

namespace P2PNode.Core.Tests.Aggregation;

public class RejectionReasonTests
{
    /// <summary>The codes are what ledgers already written hold: a renamed member must not rename its code.</summary>
    [Fact]
    public void Codes_are_the_ledger_names()
    {
        Assert.Equal(
            ["wrong_base", "malformed_delta", "wrong_shape", "norm_outlier", "nan", "duplicate", "opposed", "judged_harmful", "refused"],
            Enum.GetValues<RejectionReason>().Select(r => r.Code()));
        Assert.Throws<ArgumentOutOfRangeException>(() => ((RejectionReason)99).Code());
    }
}
