using ServiceMesh.Build.Engine;
using ServiceMesh.Build.Image;

namespace ServiceMesh.Build.Tests.Image;

public sealed class BaseImageRecipeTests : IDisposable
{
    private readonly DirectoryInfo _recipe = Directory.CreateTempSubdirectory("base-recipe-");

    public BaseImageRecipeTests()
    {
        File.WriteAllText(Path.Combine(_recipe.FullName, "packages-arm64.txt"), "# pinned\nlibc6=2.36-9+deb12u14\n\ntzdata:all=2026f-0+deb12u1\n");
        foreach (var file in BaseImageRecipe.AccountFiles)
        {
            File.WriteAllText(Path.Combine(_recipe.FullName, file), file + "\n");
        }
    }

    [Fact]
    public void Load_PinnedList_GivesArchitectureQualifiedAptSpecs()
    {
        var recipe = BaseImageRecipe.Load(_recipe.FullName, ImagePlatform.LinuxArm64);

        recipe.Packages.Select(p => p.AptSpec("arm64")).ShouldBe(["libc6:arm64=2.36-9+deb12u14", "tzdata:all=2026f-0+deb12u1"]);
        recipe.Tag.ShouldMatch("^lucid/distroless-base:[0-9a-f]{16}-arm64$");
    }

    [Fact]
    public void Load_AnyRecipeFileChanges_ChangesTheTag()
    {
        var before = BaseImageRecipe.Load(_recipe.FullName, ImagePlatform.LinuxArm64).Tag;
        File.AppendAllText(Path.Combine(_recipe.FullName, "passwd"), "extra:x:1000:1000::/:/sbin/nologin\n");

        BaseImageRecipe.Load(_recipe.FullName, ImagePlatform.LinuxArm64).Tag.ShouldNotBe(before);
    }

    [Theory]
    [InlineData("libc6")]
    [InlineData("libc6:arm64=2.36")]
    [InlineData("=2.36")]
    public void ParsePackageList_UnpinnedOrQualifiedLine_FailsNamingTheLine(string line)
    {
        var failure = Should.Throw<BuildFailureException>(() => BaseImageRecipe.ParsePackageList("packages-arm64.txt", ["# header", line]));

        failure.Message.ShouldContain($"packages-arm64.txt:2: '{line}'");
    }

    [Fact]
    public void Load_NoPackageListForThePlatform_FailsNamingTheFile()
    {
        var failure = Should.Throw<BuildFailureException>(() => BaseImageRecipe.Load(_recipe.FullName, ImagePlatform.LinuxAmd64));

        failure.Message.ShouldContain("packages-amd64.txt");
    }

    public void Dispose() => _recipe.Delete(recursive: true);
}
