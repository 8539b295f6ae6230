namespace P2PNode.Nat;

/// <summary>Why a port mapping operation failed; the protocol's own result or error code is in <see cref="NatGatewayException.Code"/>.</summary>
public enum NatErrorKind
{
    /// <summary>No reply within the total timeout (the gateway does not speak the protocol, or dropped the request).</summary>
    Timeout,

    /// <summary>The gateway is known to be unreachable (ICMP port unreachable, connection refused, no route).</summary>
    Unreachable,

    /// <summary>No gateway address: none given and no default route.</summary>
    NoGateway,

    /// <summary>A reply that does not parse: wrong length, version, opcode, XML, missing fields.</summary>
    MalformedReply,

    /// <summary>An HTTP status other than 200 without a SOAP fault.</summary>
    HttpError,

    /// <summary>A UPnP device that offers no WANIPConnection or WANPPPConnection service (not an internet gateway).</summary>
    NoMappingService,

    // Gateway refusals (result codes of NAT-PMP and PCP, UPnP error codes), mapped to one vocabulary.
    UnsupportedVersion,
    NotAuthorized,
    NetworkFailure,
    OutOfResources,
    UnsupportedOpcode,
    MalformedRequest,
    UnsupportedOption,
    MalformedOption,
    UnsupportedProtocol,
    UserQuotaExceeded,
    CannotProvideExternal,
    AddressMismatch,
    ExcessiveRemotePeers,
    InvalidAction,
    InvalidArgs,
    ActionFailed,
    NoSuchEntry,
    ConflictInMappingEntry,
    SamePortValuesRequired,
    OnlyPermanentLeasesSupported,
    WildcardNotPermitted,
    NoPortMapsAvailable,
    ConflictWithOtherMechanisms,

    /// <summary>A result or error code this client does not know.</summary>
    UnknownGatewayError,
}
