namespace ServiceMesh.Build.Image;

/// <summary>Which front end builds the Dockerfile. <c>Auto</c> takes the first that exists: buildx, BuildKit, classic.</summary>
internal enum ImageBuilderKind
{
    Auto,
    Buildx,
    BuildKit,
    Classic,
}

/// <summary>A chosen builder: the CLI to call, the words before the build options, and the environment it needs.</summary>
internal sealed record ImageBuilderCommand(ImageBuilderKind Kind, string Executable, IReadOnlyList<string> Verb, IReadOnlyDictionary<string, string?> Environment)
{
    /// <summary>
    /// The arguments of a build whose context arrives on standard input (<c>-</c>: send <see cref="ImageBuildRequest.ContextArchive"/>
    /// there); <c>--file</c> names the Dockerfile inside that archive. Only buildx needs <c>--load</c> to put the result
    /// into the engine's image store.
    /// </summary>
    public IReadOnlyList<string> Arguments(ImageBuildRequest request)
    {
        var args = new List<string>(Verb)
        {
            "--platform", request.Platform.ToString(),
            "--file", ImageContext.DockerfileName,
            // RUN steps (verify-install) need no network; nothing can leave the machine from inside the build.
            "--network", "none",
        };
        foreach (var (name, value) in request.BuildArguments)
        {
            args.AddRange(["--build-arg", $"{name}={value}"]);
        }

        foreach (var tag in request.Tags)
        {
            args.AddRange(["--tag", tag]);
        }

        args.AddRange(Kind switch
        {
            ImageBuilderKind.Buildx => ["--load", "--progress", "plain"],
            ImageBuilderKind.BuildKit => ["--progress", "plain"],
            _ => ["--force-rm"], // a failed classic RUN would otherwise leave its container behind
        });
        args.Add("-");
        return args;
    }
}

/// <summary>What to build: the context archive (Dockerfile inside), platform, build arguments and tags.</summary>
internal sealed record ImageBuildRequest(
    string ContextArchive,
    ImagePlatform Platform,
    IReadOnlyList<KeyValuePair<string, string>> BuildArguments,
    IReadOnlyList<string> Tags);
