package org.volumedriver.monitoring.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.InvalidAttributeValueException;
import javax.management.MBeanException;
import javax.management.MBeanInfo;
import javax.management.ReflectionException;
import javax.management.RuntimeOperationsException;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenMBeanAttributeInfoSupport;
import javax.management.openmbean.OpenMBeanConstructorInfoSupport;
import javax.management.openmbean.OpenMBeanInfoSupport;
import javax.management.openmbean.OpenMBeanOperationInfoSupport;
import javax.management.openmbean.OpenMBeanParameterInfoSupport;
import javax.management.openmbean.OpenType;

/**
 * A read-only open MBean: every attribute and operation is declared with its open type, so any JMX
 * client (jconsole, Jolokia/Hawtio) reads the values without the bundle's classes. Subclasses
 * declare attributes and operations in their constructor.
 */
abstract class OpenMBean implements DynamicMBean {

    /** Reads an attribute. */
    @FunctionalInterface
    interface Getter {
        Object get() throws MBeanException, OpenDataException;
    }

    /** Runs an operation with its arguments, already checked against the parameter types. */
    @FunctionalInterface
    interface Operation {
        Object invoke(Object[] arguments) throws MBeanException, OpenDataException;
    }

    /** An operation parameter. */
    record Parameter(String name, String description, OpenType<?> type) {
    }

    private record AttributeSpec(OpenMBeanAttributeInfoSupport info, Getter getter) {
    }

    private record OperationSpec(OpenMBeanOperationInfoSupport info, List<Parameter> parameters, Operation operation) {
    }

    private final String className;
    private final String description;
    private final Map<String, AttributeSpec> attributes = new LinkedHashMap<>();
    private final Map<String, OperationSpec> operations = new LinkedHashMap<>();

    OpenMBean(String className, String description) {
        this.className = className;
        this.description = description;
    }

    final void attribute(String name, String attributeDescription, OpenType<?> type, Getter getter) {
        attributes.put(name, new AttributeSpec(new OpenMBeanAttributeInfoSupport(name, attributeDescription, type, true, false, false),
                getter));
    }

    final void operation(String name, String operationDescription, OpenType<?> returnType, int impact, List<Parameter> parameters,
            Operation operation) {
        OpenMBeanParameterInfoSupport[] signature = parameters.stream()
                .map(p -> new OpenMBeanParameterInfoSupport(p.name(), p.description(), p.type()))
                .toArray(OpenMBeanParameterInfoSupport[]::new);
        operations.put(name, new OperationSpec(
                new OpenMBeanOperationInfoSupport(name, operationDescription, signature, returnType, impact), parameters, operation));
    }

    @Override
    public final MBeanInfo getMBeanInfo() {
        return new OpenMBeanInfoSupport(className, description,
                attributes.values().stream().map(AttributeSpec::info).toArray(OpenMBeanAttributeInfoSupport[]::new),
                new OpenMBeanConstructorInfoSupport[0],
                operations.values().stream().map(OperationSpec::info).toArray(OpenMBeanOperationInfoSupport[]::new),
                null);
    }

    @Override
    public final Object getAttribute(String name) throws AttributeNotFoundException, MBeanException, ReflectionException {
        AttributeSpec spec = name == null ? null : attributes.get(name);
        if (spec == null) {
            throw new AttributeNotFoundException("no attribute " + name);
        }
        try {
            return spec.getter().get();
        } catch (OpenDataException e) {
            throw new MBeanException(new IllegalStateException(e.getMessage()), "attribute " + name + " could not be built");
        }
    }

    @Override
    public final AttributeList getAttributes(String[] names) {
        AttributeList list = new AttributeList();
        for (String name : names) {
            try {
                list.add(new Attribute(name, getAttribute(name)));
            } catch (AttributeNotFoundException | MBeanException | ReflectionException e) {
                // the JMX contract: attributes that cannot be read are left out of the list
            }
        }
        return list;
    }

    @Override
    public final void setAttribute(Attribute attribute) throws AttributeNotFoundException, InvalidAttributeValueException {
        throw new AttributeNotFoundException("attribute " + (attribute == null ? null : attribute.getName()) + " is read-only");
    }

    @Override
    public final AttributeList setAttributes(AttributeList list) {
        return new AttributeList();
    }

    @Override
    public final Object invoke(String name, Object[] arguments, String[] signature) throws MBeanException, ReflectionException {
        OperationSpec spec = name == null ? null : operations.get(name);
        if (spec == null) {
            throw new ReflectionException(new NoSuchMethodException(name), "no operation " + name);
        }
        Object[] args = arguments == null ? new Object[0] : arguments;
        List<Parameter> parameters = spec.parameters();
        if (args.length != parameters.size()) {
            throw new RuntimeOperationsException(new IllegalArgumentException(
                    name + " takes " + parameters.size() + " arguments, not " + args.length));
        }
        for (int i = 0; i < args.length; i++) {
            if (args[i] != null && !parameters.get(i).type().isValue(args[i])) {
                throw new RuntimeOperationsException(new IllegalArgumentException(
                        "argument " + parameters.get(i).name() + " of " + name + " must be a " + parameters.get(i).type().getClassName()));
            }
        }
        try {
            return spec.operation().invoke(args);
        } catch (OpenDataException e) {
            throw new MBeanException(new IllegalStateException(e.getMessage()), "result of " + name + " could not be built");
        }
    }
}
