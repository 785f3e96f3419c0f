namespace AnFunctions.Tests.Conformance;

/// <summary>
/// Why a conformance test is skipped: the shared folder (fixtures and scenarios) is not beside the repository and
/// <c>ANFUNCTIONS_SHARED_DIR</c> does not point at one. Null when it is there.
/// </summary>
internal static class SharedSkip
{
    public static string? Reason
    {
        get
        {
            if (RepoPaths.Shared is not null)
            {
                return null;
            }

            var configured = Environment.GetEnvironmentVariable("ANFUNCTIONS_SHARED_DIR");
            var looked = !string.IsNullOrWhiteSpace(configured) ? configured : Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared"));
            return $"{looked.TrimEnd('/', '\\')}/fixtures not found: conformance tests run only beside the shared folder (or with ANFUNCTIONS_SHARED_DIR set to it)";
        }
    }
}

/// <summary>A fact that runs only when the shared folder is there (<see cref="RepoPaths.Shared"/>); skipped with the reason otherwise.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (SharedSkip.Reason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that runs only when the shared folder is there; skipped (without enumerating its data) otherwise.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (SharedSkip.Reason is { } reason)
        {
            Skip = reason;
        }
    }
}
