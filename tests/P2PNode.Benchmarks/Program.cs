return P2PNode.Benchmarks.CodecBench.Run(args);
