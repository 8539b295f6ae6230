namespace P2PNode.Tests.Overlay;

/// <summary>
/// Tests that start many node processes at once run alone (after the parallel tests): eight `p2pnode run`
/// processes starting beside another test class on a 2-core CI machine stall each other's handshakes and timers.
/// </summary>
[CollectionDefinition("many-processes", DisableParallelization = true)]
public sealed class AloneCollection;
