namespace P2PNode.Training.Tests;

/// <summary>
/// Every test that touches libtorch joins this collection: they run one after another and never alongside other
/// test collections, because the machine's two cores are shared and torch ops use all of them.
/// </summary>
[CollectionDefinition("torch", DisableParallelization = true)]
public sealed class TorchCollection;
