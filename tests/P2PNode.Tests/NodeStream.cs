namespace P2PNode.Tests;

/// <summary>Which output stream of a <see cref="NodeProcess"/> a line came from.</summary>
public enum NodeStream { Stdout, Stderr }
