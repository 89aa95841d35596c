namespace ServiceMesh.Build.Tests.Verification;

public sealed class FileRuleTests
{
    [Fact]
    public async Task VerifyAsync_BinaryMissing_FailsAndDoesNotRunTheImage()
    {
        var files = CompliantImage.Files();
        files.Remove("/app/service-mesh");
        var engine = CompliantImage.Engine(files: files);

        var results = await CompliantImage.VerifyAsync(engine);

        results.Single("file: /app/service-mesh").Detail.ShouldBe("missing");
        results.Single("run: skipped").Passed.ShouldBeFalse();
    }

    [Fact]
    public async Task VerifyAsync_BinaryNotExecutable_FailsBinaryCheck()
    {
        var files = CompliantImage.Files();
        files["/app/service-mesh"] = files["/app/service-mesh"] with { Mode = (UnixFileMode)0b110_000_000 };

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(files: files));

        results.Single("file: /app/service-mesh").Detail.ShouldContain("not executable");
    }

    [Fact]
    public async Task VerifyAsync_DefaultConfigEmpty_FailsThatFile()
    {
        var files = CompliantImage.Files();
        files["/app/config/policies.yaml"] = CompliantImage.Text("");

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(files: files));

        results.Single("file: /app/config/policies.yaml").Detail.ShouldBe("empty default config");
        // The configuration marker vouches for that file too, so its digest no longer matches.
        results.Single("marker: configuration").Passed.ShouldBeFalse();
    }

    [Fact]
    public async Task VerifyAsync_NoCaBundle_FailsCaCheck()
    {
        var files = CompliantImage.Files();
        files.Remove("/etc/ssl/certs/ca-certificates.crt");

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(files: files));

        results.ShouldFailOnly("file: CA bundle").Detail.ShouldBe("missing");
    }

    [Theory]
    [InlineData("/bin/sh")]
    [InlineData("/bin/bash")]
    [InlineData("/usr/bin/apt-get")]
    [InlineData("/usr/bin/dpkg")]
    [InlineData("/usr/bin/python3")]
    public async Task VerifyAsync_ShellOrToolPresent_FailsNamingIt(string path)
    {
        var files = CompliantImage.Files();
        files[path] = new FakeFile([0x7f, (byte)'E', (byte)'L', (byte)'F'], (UnixFileMode)0b111_101_101);

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(files: files));

        results.ShouldFailOnly("file: no shell, package manager or python").Detail.ShouldBe($"present: {path}");
    }

    [Fact]
    public async Task VerifyAsync_PasswdWithoutNonroot_FailsPasswdCheck()
    {
        var files = CompliantImage.Files();
        files["/etc/passwd"] = CompliantImage.Text("root:x:0:0:root:/root:/sbin/nologin\n");

        var results = await CompliantImage.VerifyAsync(CompliantImage.Engine(files: files));

        results.Single("file: /etc/passwd has nonroot").Detail.ShouldBe("no nonroot entry");
        // The base marker vouches for /etc/passwd, so the change is caught twice.
        results.Single("marker: base").Detail.ShouldContain("digest mismatch");
    }
}
