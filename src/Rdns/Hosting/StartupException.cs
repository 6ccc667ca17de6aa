namespace Rdns.Hosting;

/// <summary>The server cannot start as things are (data directory, store); the message names the path, the problem and the fix.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
