using P2PNode.Cli;

return await CommandLine.RunAsync(args);
