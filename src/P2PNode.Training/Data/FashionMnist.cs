namespace P2PNode.Training.Data;

/// <summary>
/// Fashion-MNIST from the IDX files of Debian's dataset-fashion-mnist package: 60,000 training and 10,000 test
/// 28×28 grey images of 10 clothing classes. Pixels become float32 (p/255 − 0.2860)/0.3530 (the training set's
/// mean and standard deviation), shaped [1, 28, 28].
/// </summary>
public static class FashionMnist
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";
    public const float Mean = 0.2860f;
    public const float Std = 0.3530f;

    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads "train" or "t10k" from <paramref name="directory"/> (files {split}-images-idx3-ubyte.gz, {split}-labels-idx1-ubyte.gz; the uncompressed names also work).</summary>
    public static LabeledDataset Load(string split, string? directory = null)
    {
        if (split is not ("train" or "t10k")) throw new ArgumentException($"split must be 'train' or 't10k', got '{split}'");
        var dir = directory ?? DefaultDirectory;
        var imagesPath = Find(dir, $"{split}-images-idx3-ubyte");
        var labelsPath = Find(dir, $"{split}-labels-idx1-ubyte");
        var (imgDims, pixels) = IdxReader.Read(imagesPath, 3);
        var (lblDims, labelBytes) = IdxReader.Read(labelsPath, 1);
        if (imgDims[1] != 28 || imgDims[2] != 28)
            throw new DatasetFormatException(imagesPath, $"images are {imgDims[1]}x{imgDims[2]}, Fashion-MNIST images are 28x28");
        if (imgDims[0] != lblDims[0])
            throw new DatasetFormatException(labelsPath, $"{lblDims[0]} labels but {imagesPath} has {imgDims[0]} images");
        var labels = new int[labelBytes.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            if (labelBytes[i] > 9) throw new DatasetFormatException(labelsPath, $"label {labelBytes[i]} at index {i} is outside 0..9");
            labels[i] = labelBytes[i];
        }
        var features = new float[pixels.Length];
        for (var i = 0; i < pixels.Length; i++) features[i] = (pixels[i] / 255f - Mean) / Std;
        return new LabeledDataset(features, labels, [1, 28, 28], 10);
    }

    private static string Find(string dir, string stem)
    {
        var gz = Path.Combine(dir, stem + ".gz");
        if (File.Exists(gz)) return gz;
        var plain = Path.Combine(dir, stem);
        if (File.Exists(plain)) return plain;
        throw new DatasetFormatException(gz, $"file not found (neither {stem}.gz nor {stem} is in {dir}; install the Debian package dataset-fashion-mnist or point to the directory holding the IDX files)");
    }
}
