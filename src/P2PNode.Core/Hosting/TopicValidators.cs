using P2PNode.Identity;
using P2PNode.Overlay;

namespace P2PNode.Hosting;

/// <summary>The overlay's one validator, routing each topic's messages to its service's validator; topics
/// without one (the node's own chat topic) pass.</summary>
internal sealed class TopicValidators(IReadOnlyDictionary<string, IGossipValidator> byTopic) : IGossipValidator
{
    public ValidationResult Validate(GossipDelivery message) =>
        byTopic.TryGetValue(message.Topic, out var v) ? v.Validate(message) : ValidationResult.Accept;

    public object? Prepare(string topic, PeerId origin, byte[] payload) =>
        byTopic.TryGetValue(topic, out var v) ? v.Prepare(topic, origin, payload) : null;
}
