namespace Rdns.Addressing;

/// <summary>The address family: it decides the reverse tree (<c>in-addr.arpa</c> or <c>ip6.arpa</c>).</summary>
public enum IpFamily
{
    V4,
    V6,
}
