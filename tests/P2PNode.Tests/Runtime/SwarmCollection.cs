namespace P2PNode.Tests.Runtime;

/// <summary>The swarm test runs three training processes that use both cores: it runs alone.</summary>
[CollectionDefinition("swarm", DisableParallelization = true)]
public sealed class SwarmCollection;
