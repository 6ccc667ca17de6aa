namespace Rdns.Fuzz;

/// <summary>A documented property of the product's answer did not hold; a finding like a crash.</summary>
internal sealed class InvariantViolation(string message) : Exception(message);
