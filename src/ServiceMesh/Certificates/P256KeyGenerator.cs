using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ServiceMesh.Certificates;

/// <summary>A fresh P-256 key as raw values: the private scalar (32 bytes) and the uncompressed public point (65 bytes).</summary>
internal readonly record struct P256Key(byte[] PrivateScalar, byte[] PublicPoint);

/// <summary>
/// P-256 leaf keys from the OpenSSL 3 .NET uses, with key-generation contexts reused: ECDsa.Create plus
/// ExportParameters cost ~130 µs a key (new context, provider lookups, EC_KEY to EVP_PKEY) against ~25 µs to generate,
/// and a leaf key is only exported. Falls back to ECDsa without libcrypto.so.3 (<see cref="UsesOpenSsl"/>).
/// </summary>
internal static partial class P256KeyGenerator
{
    private const string LibCrypto = "libcrypto.so.3";
    private static readonly ConcurrentBag<nint> Contexts = []; // one per concurrent caller; a context is not thread-safe
    private static readonly Lazy<bool> Available = new(Probe);

    /// <summary>True when keys come from OpenSSL directly; false when from .NET's ECDsa (slower, same keys).</summary>
    public static bool UsesOpenSsl => Available.Value;

    public static P256Key Generate() => Available.Value ? GenerateWithOpenSsl() : GenerateWithDotNet();

    private static P256Key GenerateWithOpenSsl()
    {
        var context = Contexts.TryTake(out var reused) ? reused : NewContext();
        nint key = 0, scalar = 0;
        var succeeded = false;
        try
        {
            Check(EVP_PKEY_generate(context, ref key), "EVP_PKEY_generate");
            var point = new byte[65];
            Check(EVP_PKEY_get_octet_string_param(key, "encoded-pub-key", point, (nuint)point.Length, out var length), "EVP_PKEY_get_octet_string_param(encoded-pub-key)");
            Check(EVP_PKEY_get_bn_param(key, "priv", ref scalar), "EVP_PKEY_get_bn_param(priv)");
            var privateScalar = new byte[32];
            Check(BN_bn2binpad(scalar, privateScalar, privateScalar.Length), "BN_bn2binpad");
            if (length != (nuint)point.Length || point[0] != 0x04)
            {
                throw new CryptographicException($"OpenSSL returned a {length}-byte public key; expected a 65-byte uncompressed P-256 point");
            }

            succeeded = true;
            return new P256Key(privateScalar, point);
        }
        finally
        {
            BN_clear_free(scalar); // both free functions accept null
            EVP_PKEY_free(key);
            if (succeeded)
            {
                Contexts.Add(context);
            }
            else
            {
                EVP_PKEY_CTX_free(context); // a context whose operation failed is not reused
            }
        }
    }

    private static P256Key GenerateWithDotNet()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        return new P256Key(parameters.D!, [0x04, .. parameters.Q.X!, .. parameters.Q.Y!]);
    }

    private static nint NewContext()
    {
        var context = EVP_PKEY_CTX_new_from_name(0, "EC", null);
        if (context == 0)
        {
            throw new CryptographicException($"OpenSSL EVP_PKEY_CTX_new_from_name(EC) failed: {LastError()}");
        }

        try
        {
            Check(EVP_PKEY_keygen_init(context), "EVP_PKEY_keygen_init");
            Check(EVP_PKEY_CTX_set_group_name(context, "P-256"), "EVP_PKEY_CTX_set_group_name(P-256)");
            return context;
        }
        catch
        {
            EVP_PKEY_CTX_free(context);
            throw;
        }
    }

    private static bool Probe()
    {
        try
        {
            var key = GenerateWithOpenSsl();
            CryptographicOperations.ZeroMemory(key.PrivateScalar);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever stops the direct path (no library, an older OpenSSL, a foreign ABI), .NET's ECDsa still works.
            return false;
        }
    }

    private static void Check(int result, string call)
    {
        if (result <= 0)
        {
            throw new CryptographicException($"OpenSSL {call} failed: {LastError()}");
        }
    }

    /// <summary>The oldest error on OpenSSL's per-thread queue, as text; the queue is then cleared for the next call.</summary>
    private static string LastError()
    {
        var code = ERR_get_error();
        var text = new byte[256];
        ERR_error_string_n(code, text, (nuint)text.Length);
        ERR_clear_error();
        return code == 0 ? "no error code" : System.Text.Encoding.ASCII.GetString(text).TrimEnd('\0');
    }

    [LibraryImport(LibCrypto, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint EVP_PKEY_CTX_new_from_name(nint libraryContext, string name, string? properties);

    [LibraryImport(LibCrypto)]
    private static partial void EVP_PKEY_CTX_free(nint context);

    [LibraryImport(LibCrypto)]
    private static partial int EVP_PKEY_keygen_init(nint context);

    [LibraryImport(LibCrypto, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int EVP_PKEY_CTX_set_group_name(nint context, string name);

    [LibraryImport(LibCrypto)]
    private static partial int EVP_PKEY_generate(nint context, ref nint key);

    [LibraryImport(LibCrypto, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int EVP_PKEY_get_octet_string_param(nint key, string name, [Out] byte[] buffer, nuint size, out nuint length);

    [LibraryImport(LibCrypto, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int EVP_PKEY_get_bn_param(nint key, string name, ref nint number);

    [LibraryImport(LibCrypto)]
    private static partial int BN_bn2binpad(nint number, [Out] byte[] buffer, int length);

    [LibraryImport(LibCrypto)]
    private static partial void BN_clear_free(nint number);

    [LibraryImport(LibCrypto)]
    private static partial void EVP_PKEY_free(nint key);

    [LibraryImport(LibCrypto)]
    private static partial nuint ERR_get_error();

    [LibraryImport(LibCrypto)]
    private static partial void ERR_error_string_n(nuint code, [Out] byte[] buffer, nuint length);

    [LibraryImport(LibCrypto)]
    private static partial void ERR_clear_error();
}
