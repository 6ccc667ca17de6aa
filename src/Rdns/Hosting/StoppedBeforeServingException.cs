namespace Rdns.Hosting;

/// <summary>
/// A stop was asked for (SIGTERM, SIGINT) while the server was still starting: it exits cleanly
/// instead of reporting the cancelled start as an error.
/// </summary>
public sealed class StoppedBeforeServingException : Exception
{
    public StoppedBeforeServingException()
        : base("stopped before serving: a stop was asked for during start-up")
    {
    }

    public StoppedBeforeServingException(string message)
        : base(message)
    {
    }

    public StoppedBeforeServingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
