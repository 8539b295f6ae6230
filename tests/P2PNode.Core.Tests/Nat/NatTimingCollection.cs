namespace P2PNode.Core.Tests.Nat;

/// <summary>
/// The NAT client tests race real timers (resend schedules of 100 ms, leases of a few seconds) against a
/// loopback gateway. Run beside the CPU-heavy test classes (fuzzers, ledger audits) on two cores, a stalled
/// thread made them fail in clean-clone CI runs, so they run alone, one after another.
/// </summary>
[CollectionDefinition("nat-timing", DisableParallelization = true)]
public sealed class NatTimingCollection;
