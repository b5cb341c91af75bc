// This project only exists to precompile the assemblies it references; see the .csproj.
internal static class Anchor { }
