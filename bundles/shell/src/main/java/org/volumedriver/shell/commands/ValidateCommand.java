package org.volumedriver.shell.commands;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.volumedriver.shell.internal.ConnectionInfoInput;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.shell.support.ValidationView;
import org.volumedriver.shell.support.Views;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriver;

/** {@code volume:validate}: checks connection info without side effects. */
@Service
@Command(scope = "volume", name = "validate", description = "Checks connection info exactly as a connect would, without mounting or running anything")
public class ValidateCommand extends DriverAction {

    @Reference
    List<ValidationView> validationViews;

    @Option(name = "-f", aliases = "--file", description = "Read the connection info (JSON) from this file")
    @Completion(FileCompleter.class)
    String file;

    @Argument(index = 0, name = "connection-info", description = "The connection info as JSON, in single quotes")
    String json;

    @Override
    protected void run() throws Exception {
        ConnectionInfo info = ConnectionInfoInput.read(json, file);
        VolumeDriver driver = drivers().driverFor(info);
        driver.validate(info);
        System.out.println("Valid: connection info for driver " + driver.type());
        ValidationView view = viewFor(driver.type());
        if (view != null) {
            Views.report(view.fields(info), System.out);
        } else {
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("Export", info.export().map(Redactor::redactText).orElse("-"));
            fields.put("Volume", info.name().map(Redactor::redactText).orElse("-"));
            fields.put("Format", info.format());
            Views.report(fields, System.out);
        }
    }

    private ValidationView viewFor(String type) {
        if (validationViews != null) {
            for (ValidationView view : validationViews) {
                if (type.equals(view.driverType())) {
                    return view;
                }
            }
        }
        return null;
    }
}
