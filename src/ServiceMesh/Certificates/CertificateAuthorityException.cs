namespace ServiceMesh.Certificates;

/// <summary>The CA files cannot be used as they are. The message names the file, the cause and the fix; the files are left untouched.</summary>
internal sealed class CertificateAuthorityException : Exception
{
    public CertificateAuthorityException(string message) : base(message) { }

    public CertificateAuthorityException(string message, Exception inner) : base(message, inner) { }

    public CertificateAuthorityException() { }
}
