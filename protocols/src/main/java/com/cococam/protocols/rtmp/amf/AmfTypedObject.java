package com.cococam.protocols.rtmp.amf;

import java.util.Map;

/**
 * An AMF object with a class name (AMF0 typed object 0x10, AMF3 object with a non-empty class name).
 *
 * @param className  the registered class alias; never null.
 * @param properties the members in wire order (sealed members first for AMF3).
 */
public record AmfTypedObject(String className, Map<String, Object> properties)
{
}
