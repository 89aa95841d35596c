using System.Runtime.InteropServices;
using ServiceMesh.Build.Publishing;

namespace ServiceMesh.Build.Tests.Publishing;

public sealed class NativeToolchainTests
{
    [Fact]
    public void RequiredPackages_SameArchitecture_OnlyClang() =>
        NativeToolchain.RequiredPackages("linux-x64", Architecture.X64).ShouldBe(["clang"]);

    [Fact]
    public void RequiredPackages_Arm64OnX64Host_AddsCrossLinkerAndLibc() =>
        NativeToolchain.RequiredPackages("linux-arm64", Architecture.X64).ShouldBe(["clang", "gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"]);

    [Fact]
    public void RequiredPackages_UnknownRuntime_FailsNamingIt() =>
        Should.Throw<ServiceMesh.Build.Engine.BuildFailureException>(() => NativeToolchain.RequiredPackages("win-x86", Architecture.X64))
            .Message.ShouldContain("win-x86");
}
