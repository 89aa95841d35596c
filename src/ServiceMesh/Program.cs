using ServiceMesh.Hosting;

return await CommandLine.RunAsync(args).ConfigureAwait(false);
