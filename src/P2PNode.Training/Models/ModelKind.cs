namespace P2PNode.Training.Models;

/// <summary>The model families a run can use. The lower-case name is what configuration and the CLI use.</summary>
public enum ModelKind
{
    /// <summary>Small convolutional classifier for 28×28 grey images (Fashion-MNIST).</summary>
    Cnn,
    /// <summary>Fully connected classifier on the flattened image.</summary>
    Mlp,
    /// <summary>Decoder-only causal transformer language model (byte or subword vocabulary).</summary>
    Lm,
}
