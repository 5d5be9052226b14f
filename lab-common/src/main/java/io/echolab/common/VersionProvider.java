package io.echolab.common;

import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The version from the runnable jar's manifest ({@code Implementation-Version}); "dev" when run from classes. */
public final class VersionProvider implements IVersionProvider {

    @Spec
    CommandSpec spec;

    @Override
    public String[] getVersion() {
        Package pkg = spec.userObject().getClass().getPackage();
        String version = pkg == null ? null : pkg.getImplementationVersion();
        return new String[] {spec.name() + " " + (version == null ? "dev" : version)};
    }
}
