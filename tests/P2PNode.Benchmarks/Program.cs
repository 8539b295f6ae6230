using P2PNode.Benchmarks;

// Benchmarks, not tests: each prints its baseline and the ratios. Run in Release:
//   dotnet run -c Release --project tests/P2PNode.Benchmarks -- <name> [args]
return args.FirstOrDefault() switch
{
    "transport" => await TransportBench.RunAsync(args[1..]),
    "transport-sink" => await TransportSink.RunAsync(),
    "noise" => Run(NoiseCipherBench.Run),
    "codec" => CodecBench.Run(args[1..]),
    "ledger" => LedgerBench.Run(args[1..]),
    "hotpath" => await HotPathBench.RunAsync(args[1..]),
    "training" => Run(() => TrainingBenchmarks.Run(Console.Out)),
    _ => Usage(),
};

static int Run(Action bench)
{
    bench();
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: P2PNode.Benchmarks transport|noise|codec|training|ledger|hotpath");
    return 2;
}
