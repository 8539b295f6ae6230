namespace P2PNode.Config;

/// <summary>Where a value came from: for error messages (source, line) and for resolving relative paths.</summary>
/// <param name="Source">File name as given, or "command line".</param>
/// <param name="Line">1-based line, null for the command line.</param>
/// <param name="BaseDirectory">Relative paths in this value resolve against it: the config file's folder,
/// or the current directory for command-line values.</param>
internal readonly record struct ConfigOrigin(string Source, int? Line, string BaseDirectory);
