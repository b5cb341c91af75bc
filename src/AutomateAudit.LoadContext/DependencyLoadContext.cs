using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace AutomateAudit
{
    /// <summary>
    /// The load context of the module's engine and its dependencies (MySqlConnector, Dapper, ...). Load()
    /// serves every assembly found in the dependencies folder from there, so the engine binds to the module's
    /// own copies even when the default context already holds another module's copy with the same identity.
    /// The exception is a compatibility shim (System.Memory, System.Buffers, ...) that the running .NET
    /// already provides in an equal or newer version: the runtime's own copy is taken, so that framework
    /// types keep one identity.
    /// </summary>
    public sealed class DependencyLoadContext : AssemblyLoadContext
    {
        private readonly Dictionary<string, string> _dependencies = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        private readonly string _runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location);

        public DependencyLoadContext(string name, string dependencyFolder) : base(name, isCollectible: false)
        {
            foreach (string path in Directory.GetFiles(dependencyFolder, "*.dll"))
                _dependencies[Path.GetFileNameWithoutExtension(path)] = path;
            string precompiled = Path.Combine(dependencyFolder, "ready2run", ReadyToRunFolderName());
            if (Directory.Exists(precompiled))
            {
                foreach (string path in Directory.GetFiles(precompiled, "*.dll"))
                    _dependencies[Path.GetFileNameWithoutExtension(path)] = path;
            }
        }

        /// <summary>
        /// The folder of ReadyToRun copies made for this runtime, e.g. "net10.0-linux-x64". Precompiled code is only
        /// used by the .NET major version it was compiled for (an older one is ignored and JIT-compiled again), so
        /// the copies are chosen by the running .NET and platform; the IL copies serve every other case.
        /// </summary>
        public static string ReadyToRunFolderName()
        {
            string os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
                : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "linux"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx" : "other";
            return "net" + Environment.Version.Major + ".0-" + os + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        }

        /// <summary>Loads an assembly of the dependencies folder into this context (used for the engine itself).</summary>
        public Assembly LoadDependency(string simpleName) =>
            _dependencies.TryGetValue(simpleName, out string path) ? LoadFromAssemblyPath(path) : null;

        protected override Assembly Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name == null || !_dependencies.TryGetValue(assemblyName.Name, out string path)) return null;
            if (RuntimeProvides(assemblyName.Name, path)) return null;
            return LoadFromAssemblyPath(path);
        }

        private bool RuntimeProvides(string simpleName, string ourPath)
        {
            string runtimeCopy = Path.Combine(_runtimeDirectory, simpleName + ".dll");
            if (!File.Exists(runtimeCopy)) return false;
            try
            {
                return AssemblyName.GetAssemblyName(runtimeCopy).Version >= AssemblyName.GetAssemblyName(ourPath).Version;
            }
            catch (BadImageFormatException)
            {
                return false;
            }
        }
    }
}
