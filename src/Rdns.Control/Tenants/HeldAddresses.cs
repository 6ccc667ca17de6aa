using Rdns.Storage;

namespace Rdns.Control.Tenants;

/// <summary>
/// One allocation as its tenant sees it: every address with what DNS answers for it when the
/// allocation is small enough to list (<see cref="Complete"/>), else only the addresses with a PTR
/// of their own, the others answering <see cref="DefaultTemplate"/>.
/// </summary>
public sealed record HeldAddresses(AllocationRecord Allocation, IReadOnlyList<ReverseView> Addresses, bool Complete, string? DefaultTemplate);
