package com.cococam.protocols.rtmp.amf;

/**
 * An AMF XML document (AMF0 marker 0x0F, AMF3 markers 0x07 and 0x0B), kept as its text.
 *
 * @param xml the document text; never null.
 */
public record AmfXmlDocument(String xml)
{
}
