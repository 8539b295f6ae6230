using P2PNode.Training.Inference;

namespace P2PNode.Cli.Commands;

/// <summary>
/// `p2pnode generate --model EXPORT_OR_CHECKPOINT [--prompt TEXT] [--max-bytes N] [--temperature T] [--top-k K]
/// [--seed S] [--tokenizer-file F]`: samples text from a language model (see <see cref="TextGenerator"/>); prints the
/// prompt followed by the continuation. The same seed gives the same text.
/// </summary>
internal static class GenerateCommand
{
    public const string Help = "sample text from an exported language model or checkpoint";

    public static async Task<int> RunAsync(Args a)
    {
        var path = a.Get("model") ?? throw new UsageException("--model is required (an export folder or a checkpoint file)");
        var prompt = a.Get("prompt") ?? "";
        var defaults = new TextGenerator.Options();
        var options = new TextGenerator.Options(
            a.GetInt("max-bytes", 1, 1 << 20) ?? defaults.MaxBytes,
            a.GetDouble("temperature") ?? defaults.Temperature,
            a.GetInt("top-k", 1) ?? defaults.TopK,
            a.GetInt("seed", 0) ?? defaults.Seed);
        var tokenizerFile = a.Get("tokenizer-file");
        var threads = a.GetInt("threads", 1, 1024);
        a.EnsureAllUsed();
        return await Task.Factory.StartNew(() =>
        {
            try
            {
                if (threads is { } t) TorchSharp.torch.set_num_threads(t);
                using var model = ExportedModel.Load(path, tokenizerFile);
                var text = TextGenerator.Generate(model, prompt, options);
                Console.WriteLine(prompt + text);
                return 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException or P2PNode.Training.State.CheckpointException)
            {
                Console.Error.WriteLine($"p2pnode generate: {e.Message}");
                return e is ArgumentException ? 2 : 1;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }
}
