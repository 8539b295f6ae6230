using TorchSharp;

namespace P2PNode.Training.Tests;

/// <summary>
/// Every test that touches libtorch joins this collection: they run one after another and never alongside other
/// test collections, because the machine's two cores are shared and torch ops use all of them.
/// </summary>
[CollectionDefinition("torch", DisableParallelization = true)]
public sealed class TorchCollection : ICollectionFixture<TorchThreads>;

/// <summary>
/// One intra-op thread for the tests: the test models are tiny, and on a shared, oversubscribed machine
/// libtorch's spinning worker threads burn many times the CPU time of the work itself.
/// </summary>
public sealed class TorchThreads
{
    public TorchThreads() => torch.set_num_threads(1);
}
