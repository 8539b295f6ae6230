namespace P2PNode.Tests.Nat;

/// <summary>
/// The gateway tests renew 4–6 s leases on a real miniupnpd: they run alone, after the parallel tests, so eight
/// node processes starting beside them cannot stall a renewal past a lease's end (a CI run failed that way).
/// </summary>
[CollectionDefinition("nat-gateway", DisableParallelization = true)]
public sealed class GatewayCollection;
