namespace P2PNode.Identity;

/// <summary>Why a key file could not be created or loaded; lets callers react (e.g. prompt for a passphrase).</summary>
public enum KeyFileError
{
    NotFound,
    AlreadyExists,
    PermissionsTooOpen,
    Corrupt,
    UnsupportedVersion,
    PassphraseRequired,
    PassphraseNotExpected,
    WrongPassphrase,
    BadPassphraseFile,
}
