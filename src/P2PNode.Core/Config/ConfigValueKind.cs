namespace P2PNode.Config;

/// <summary>TOML value kinds, plus <see cref="Text"/>: an untyped command-line string that each key
/// converts to its own type (so "--listen a,b" and <c>listen = ["a", "b"]</c> go through one validator).</summary>
internal enum ConfigValueKind { String, Integer, Float, Boolean, DateTime, Array, Table, Text }
