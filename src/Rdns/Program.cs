using Rdns.Cli;

return RdnsCommandLine.Run(args);
