using P2PNode.Identity;
using P2PNode.Overlay;

namespace P2PNode.Training.Participation;

/// <summary>
/// The overlay's validator, created before the run is known (the genesis may still be on its way from peers):
/// messages of the run topic go to the training node once it exists and are ignored (not forwarded) until then;
/// other topics pass.
/// </summary>
internal sealed class RunTopicValidator(string topic) : IGossipValidator
{
    private volatile IGossipValidator? _target;

    public string Topic => topic;

    public void Attach(IGossipValidator target) => _target = target;

    public ValidationResult Validate(GossipDelivery message) =>
        message.Topic != topic ? ValidationResult.Accept
        : _target?.Validate(message) ?? ValidationResult.Ignore;

    public object? Prepare(string topic, PeerId origin, byte[] payload) =>
        topic == this.Topic ? _target?.Prepare(topic, origin, payload) : null;
}
