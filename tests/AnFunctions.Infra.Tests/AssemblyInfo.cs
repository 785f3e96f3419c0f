using System.Runtime.Versioning;

// The bicep package restored here is linux-x64, and the hook tests run /bin/sh.
[assembly: SupportedOSPlatform("linux")]
