namespace P2PNode.Config;

/// <summary>[permission] mode: who may hold a session with this node.</summary>
public enum PermissionMode
{
    /// <summary>Anyone who completes the handshake (bans and limits still apply).</summary>
    Open,

    /// <summary>Only listed peer ids and holders of a valid membership certificate of the federation key.</summary>
    Allowlist,
}
