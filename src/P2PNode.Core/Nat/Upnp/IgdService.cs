namespace P2PNode.Nat.Upnp;

/// <summary>The port mapping service of a gateway: its type (e.g. WANIPConnection:2) and SOAP control URL.</summary>
public sealed record IgdService(string ServiceType, Uri ControlUrl)
{
    /// <summary>The service version (1 or 2): version 2 has AddAnyPortMapping.</summary>
    public int Version => ServiceType.EndsWith(":2", StringComparison.Ordinal) ? 2 : 1;
}
