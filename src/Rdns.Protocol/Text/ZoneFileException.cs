namespace Rdns.Protocol.Text;

/// <summary>
/// A zone file could not be read. The message has the compiler-style form
/// <c>file:line: problem</c> so that editors and people can jump to the spot.
/// </summary>
public sealed class ZoneFileException : Exception
{
    public ZoneFileException(string fileName, int line, string problem, Exception? inner = null)
        : base($"{fileName}:{line}: {problem}", inner)
    {
        FileName = fileName;
        Line = line;
        Problem = problem;
    }

    /// <summary>The file as the caller (or the including <c>$INCLUDE</c>) named it.</summary>
    public string FileName { get; }

    /// <summary>1-based line number of the problem.</summary>
    public int Line { get; }

    /// <summary>The problem without the location.</summary>
    public string Problem { get; }

    /// <summary>
    /// Refused for its size, not its syntax: the file makes more records than
    /// <see cref="ZoneFileOptions.MaxRecords"/> allows (a few <c>$GENERATE</c> lines can ask for millions).
    /// </summary>
    public bool TooManyRecords { get; init; }
}
