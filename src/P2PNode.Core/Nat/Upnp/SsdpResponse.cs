using System.Net;

namespace P2PNode.Nat.Upnp;

/// <summary>An SSDP answer to M-SEARCH: who answered, what it is (ST) and where its description is (LOCATION).</summary>
public sealed record SsdpResponse(IPAddress From, string SearchTarget, Uri Location, string? Server);
