using System.Security.Cryptography;
using ServiceMesh.Certificates;

namespace ServiceMesh.Tests.Certificates;

/// <summary>Leaf keys straight from OpenSSL: a real P-256 pair every time, and this machine takes the fast path.</summary>
public sealed class P256KeyGeneratorTests
{
    [Fact]
    public void UsesOpenSsl_OnDebianWithLibcrypto3_True()
    {
        // The image and CI are Debian with OpenSSL 3; the slower fallback exists for other systems only.
        P256KeyGenerator.UsesOpenSsl.ShouldBeTrue();
    }

    [Fact]
    public void Generate_ManyConcurrently_EachAValidDistinctPairThatSignsAndVerifies()
    {
        var keys = new P256Key[64];
        Parallel.For(0, keys.Length, i => keys[i] = P256KeyGenerator.Generate());

        keys.Select(k => Convert.ToHexString(k.PublicPoint)).Distinct().Count().ShouldBe(keys.Length);
        foreach (var (scalar, point) in keys)
        {
            scalar.Length.ShouldBe(32);
            point.Length.ShouldBe(65);
            point[0].ShouldBe((byte)0x04);
            using var key = ECDsa.Create();
            // OpenSSL checks on import that the point is on the curve and equals scalar × G.
            key.ImportParameters(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = scalar, Q = new ECPoint { X = point[1..33], Y = point[33..] } });
            using var verifier = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = point[1..33], Y = point[33..] } });
            verifier.VerifyData("lucid"u8, key.SignData("lucid"u8, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256).ShouldBeTrue();
        }
    }

    [Fact]
    public void ImportParameters_ScalarNotMatchingPoint_Rejected()
    {
        // The check above has teeth: a pair whose halves come from different keys does not import.
        var first = P256KeyGenerator.Generate();
        var second = P256KeyGenerator.Generate();
        using var key = ECDsa.Create();

        Should.Throw<CryptographicException>(() => key.ImportParameters(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256, D = first.PrivateScalar, Q = new ECPoint { X = second.PublicPoint[1..33], Y = second.PublicPoint[33..] },
        }));
    }
}
