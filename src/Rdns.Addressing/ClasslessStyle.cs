namespace Rdns.Addressing;

/// <summary>
/// How the label of an RFC 2317 child zone separates the block's first address from its length.
/// RFC 2317 §4 uses <c>128/26</c> in its examples but suggests "a more conservative character,
/// such as hyphen" because some software mishandles '/', so <see cref="Dash"/> is the default.
/// </summary>
public enum ClasslessStyle
{
    /// <summary><c>128-26.2.0.192.in-addr.arpa.</c></summary>
    Dash,

    /// <summary><c>128/26.2.0.192.in-addr.arpa.</c>, as in the examples of RFC 2317 §4.</summary>
    Slash,
}
