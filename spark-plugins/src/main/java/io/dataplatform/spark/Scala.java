package io.dataplatform.spark;

import scala.collection.Seq;
import scala.jdk.javaapi.CollectionConverters;

import java.util.List;

/** Scala collections seen from Java. */
final class Scala {
    private Scala() {}

    static <T> List<T> list(Seq<T> seq) {
        return List.copyOf(CollectionConverters.asJava(seq));
    }
}
