namespace AnFunctions.Tests;

/// <summary>Finds the repository from the test's output directory.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration the tests were built with (Debug or Release).</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string HostOutput => Path.Combine(Root, "src", "AnFunctions", "bin", Configuration, "net10.0");

    public static string Scenarios => Path.Combine(Root, "scenarios");

    /// <summary>The public payloads and scenarios the conformance tests read (<c>tests/fixtures</c>, see its PROVENANCE.md).</summary>
    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AnFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AnFunctions.sln not found above " + AppContext.BaseDirectory);
    }
}
