namespace P2PNode.Wire;

/// <summary>Hard bounds on message fields, checked by the decoder before anything is stored.</summary>
public static class WireLimits
{
    public const int MaxPeerIdLength = 128;
    public const int MaxAddressLength = 256;
    public const int MaxListenAddresses = 16;
    public const int MaxCapabilities = 32;
    public const int MaxCapabilityLength = 64;
    public const int MaxAgentLength = 128;
    public const int MaxTextLength = 1024;
}
