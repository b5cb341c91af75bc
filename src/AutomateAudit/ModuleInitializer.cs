using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Reflection;

namespace AutomateAudit
{
    /// <summary>
    /// Loads the engine (AutomateAudit.Engine) and its private dependencies (MySqlConnector, Dapper and their
    /// shims) from the "dependencies" subfolder, so they never clash with other modules' copies.
    /// <para>PowerShell 7: the engine is loaded into <c>DependencyLoadContext</c> (AutomateAudit.LoadContext.dll),
    /// whose Load() serves every dependency from the folder. The cmdlet assembly references only PowerShell and
    /// the engine, so MySqlConnector never binds in the default context, whatever another module loaded there.</para>
    /// <para>Windows PowerShell 5.1: AssemblyResolve answers the engine's and the dependencies' requests with
    /// Assembly.LoadFile, which (unlike LoadFrom) never hands back another module's already-loaded copy that has
    /// the same identity. Versions are ignored, standing in for the binding redirects a module cannot ship.</para>
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        internal const string EngineAssembly = "AutomateAudit.Engine";
        internal const string EndpointAssembly = "AutomateAudit.Endpoint";

        private static bool IsModuleAssembly(string name) => name == EngineAssembly || name == EndpointAssembly;
        private const string LoadContextAssembly = "AutomateAudit.LoadContext";

        private static readonly Assembly Self = typeof(ModuleInitializer).Assembly;
        private static readonly string DependencyFolder =
            Path.Combine(Path.GetDirectoryName(Self.Location) ?? ".", "dependencies");
        private static readonly Dictionary<string, string> Dependencies = FindDependencies();
        private static readonly Dictionary<string, Assembly> Loaded = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        private static readonly Func<string, Assembly> LoadIsolated = CreateIsolatedLoader();

        public void OnImport()
        {
            AppDomain.CurrentDomain.AssemblyResolve += ResolveDependency;
        }

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;
        }

        private static Dictionary<string, string> FindDependencies()
        {
            var found = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (Directory.Exists(DependencyFolder))
            {
                foreach (string path in Directory.GetFiles(DependencyFolder, "*.dll"))
                    found[Path.GetFileNameWithoutExtension(path)] = path;
            }
            return found;
        }

        internal static bool IsOurs(Assembly requester)
        {
            if (requester == null || requester == Self) return true;
            string location;
            try { location = requester.Location; } catch (NotSupportedException) { return false; }
            string folder = string.IsNullOrEmpty(location) ? null : Path.GetDirectoryName(location);
            // dependencies/ or its ready2run/<runtime>/ subfolder (the precompiled copies PowerShell 7.6 loads).
            return folder != null && (string.Equals(folder, DependencyFolder, StringComparison.OrdinalIgnoreCase)
                || folder.StartsWith(DependencyFolder + Path.DirectorySeparatorChar, StringComparison.OrdinalIgnoreCase));
        }

        private static Assembly ResolveDependency(object sender, ResolveEventArgs args)
        {
            string name = new AssemblyName(args.Name).Name;
            if (name == null || !Dependencies.ContainsKey(name) || !IsOurs(args.RequestingAssembly)) return null;
            // PowerShell 7: the default context asks only for the module's own assemblies (the engine, the endpoint
            // layer); their context serves everything else.
            if (LoadIsolated != null) return IsModuleAssembly(name) ? LoadIsolated(name) : null;
            lock (Loaded)
            {
                if (!Loaded.TryGetValue(name, out Assembly assembly))
                {
                    assembly = Assembly.LoadFile(Dependencies[name]);
                    Loaded[name] = assembly;
                }
                return assembly;
            }
        }

        /// <summary>On .NET (PowerShell 7): a loader into the module's own load context; null on .NET Framework.</summary>
        private static Func<string, Assembly> CreateIsolatedLoader()
        {
            Type contextType = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext");
            if (contextType == null || !Dependencies.TryGetValue(LoadContextAssembly, out string path)) return null;
            // Into the default context by path: this small assembly only defines the context type.
            object defaultContext = contextType.GetProperty("Default").GetValue(null);
            var loader = (Assembly)contextType.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) }).Invoke(defaultContext, new object[] { path });
            Type ours = loader.GetType("AutomateAudit.DependencyLoadContext", throwOnError: true);
            object context = Activator.CreateInstance(ours, "AutomateAudit", DependencyFolder);
            MethodInfo load = ours.GetMethod("LoadDependency");
            return simpleName => (Assembly)load.Invoke(context, new object[] { simpleName });
        }
    }
}
